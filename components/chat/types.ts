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
  /** Files sent with a user message. */
  attachments?: AttachmentChip[];
};

/** An uploaded file as the composer and the conversation show it (POST /api/attachments). */
export type AttachmentChip = {
  id: string;
  kind: "image" | "document";
  name: string;
  mime: string;
  byteSize: number;
  tokens: number;
  width: number | null;
  height: number | null;
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
  /** Reads images (the picker marks it). */
  vision?: boolean;
};

/** A file in the composer's tray: uploading (`file` null) or uploaded. */
export type TrayChip = { key: string; name: string; preview: string | null; file: AttachmentChip | null };
/** Why the tray refused a file (or a send refused the files). */
export type TrayRefusal = { code: string; details?: Record<string, unknown>; name?: string };
/** What the tray's chips show and do. */
export type TrayView = { chips: TrayChip[]; refusal: TrayRefusal | null; setRefusal: (r: null) => void; remove: (key: string) => void };
/** One upload's answer. */
export type Uploaded = { ok: true; attachment: AttachmentChip } | { ok: false; code: string; details?: Record<string, unknown> };
