export type ChatMessageView = {
  id: string;
  role: "user" | "assistant";
  /** The message it follows in the conversation's tree (null: a first message). */
  parentId: string | null;
  content: string;
  modelId: string;
  status: "ok" | "interrupted" | "error";
  errorCode: string | null;
  /** Plan tokens charged for an assistant reply (string: bigint on the wire). */
  planTokens: string | null;
  /** Set while the reply is streaming. */
  streaming?: boolean;
  /** 放心用 served this reply on the payer's economical model instead of this one (the model asked for). */
  switchedFrom?: string;
  /** The row's React key when it differs from `id`: a reply keeps its placeholder's key once stored, so its row is not mounted again. */
  key?: string;
};

export type ConversationView = { id: string; title: string; updatedAt: string };

export type ModelView = {
  id: string;
  name: string;
  family: string | null;
  inMicro: string;
  outMicro: string;
  context: number;
  route: "live" | "demo";
  recommended: boolean;
};
