/** A key as the /keys page shows it: labels formatted on the server (locale and time zone). */
export type KeyView = {
  id: string;
  name: string;
  display: string;
  status: "active" | "revoked" | "expired";
  models: string[] | null;
  createdLabel: string;
  lastUsedLabel: string | null;
  expiresLabel: string | null;
  usedLabel: string;
  capLabel: string | null;
  /** Share of the cap used (0-100), when capped. */
  capPct: number | null;
  requests: string;
};

export type ModelOption = { id: string; name: string };
