/**
 * Every namespace of both languages, imported statically so the build precompiles each message
 * (next-intl's catalog loader, `precompile` in next.config.ts): pages then format messages without
 * shipping an ICU parser. Written by `node scripts/i18n-catalog.mjs`; `messages.test.ts` checks it
 * against the folder.
 */
import zhAttachments from "./messages/zh-CN/attachments.json";
import zhAuth from "./messages/zh-CN/auth.json";
import zhBills from "./messages/zh-CN/bills.json";
import zhChat from "./messages/zh-CN/chat.json";
import zhChatBranch from "./messages/zh-CN/chatBranch.json";
import zhChatLive from "./messages/zh-CN/chatLive.json";
import zhChatTools from "./messages/zh-CN/chatTools.json";
import zhCommon from "./messages/zh-CN/common.json";
import zhDemoBanner from "./messages/zh-CN/demoBanner.json";
import zhDevSms from "./messages/zh-CN/devSms.json";
import zhDisputes from "./messages/zh-CN/disputes.json";
import zhErrors from "./messages/zh-CN/errors.json";
import zhFamily from "./messages/zh-CN/family.json";
import zhFamilyRoutes from "./messages/zh-CN/familyRoutes.json";
import zhKeys from "./messages/zh-CN/keys.json";
import zhModels from "./messages/zh-CN/models.json";
import zhPlans from "./messages/zh-CN/plans.json";
import zhSettings from "./messages/zh-CN/settings.json";
import zhSpend from "./messages/zh-CN/spend.json";
import zhSupport from "./messages/zh-CN/support.json";
import enAttachments from "./messages/en/attachments.json";
import enAuth from "./messages/en/auth.json";
import enBills from "./messages/en/bills.json";
import enChat from "./messages/en/chat.json";
import enChatBranch from "./messages/en/chatBranch.json";
import enChatLive from "./messages/en/chatLive.json";
import enChatTools from "./messages/en/chatTools.json";
import enCommon from "./messages/en/common.json";
import enDemoBanner from "./messages/en/demoBanner.json";
import enDevSms from "./messages/en/devSms.json";
import enDisputes from "./messages/en/disputes.json";
import enErrors from "./messages/en/errors.json";
import enFamily from "./messages/en/family.json";
import enFamilyRoutes from "./messages/en/familyRoutes.json";
import enKeys from "./messages/en/keys.json";
import enModels from "./messages/en/models.json";
import enPlans from "./messages/en/plans.json";
import enSettings from "./messages/en/settings.json";
import enSpend from "./messages/en/spend.json";
import enSupport from "./messages/en/support.json";

export const MESSAGE_CATALOG = {
  "zh-CN": {
    attachments: zhAttachments,
    auth: zhAuth,
    bills: zhBills,
    chat: zhChat,
    chatBranch: zhChatBranch,
    chatLive: zhChatLive,
    chatTools: zhChatTools,
    common: zhCommon,
    demoBanner: zhDemoBanner,
    devSms: zhDevSms,
    disputes: zhDisputes,
    errors: zhErrors,
    family: zhFamily,
    familyRoutes: zhFamilyRoutes,
    keys: zhKeys,
    models: zhModels,
    plans: zhPlans,
    settings: zhSettings,
    spend: zhSpend,
    support: zhSupport,
  },
  en: {
    attachments: enAttachments,
    auth: enAuth,
    bills: enBills,
    chat: enChat,
    chatBranch: enChatBranch,
    chatLive: enChatLive,
    chatTools: enChatTools,
    common: enCommon,
    demoBanner: enDemoBanner,
    devSms: enDevSms,
    disputes: enDisputes,
    errors: enErrors,
    family: enFamily,
    familyRoutes: enFamilyRoutes,
    keys: enKeys,
    models: enModels,
    plans: enPlans,
    settings: enSettings,
    spend: enSpend,
    support: enSupport,
  },
} as const;
