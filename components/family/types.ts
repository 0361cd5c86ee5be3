/** Serializable shapes the /family page hands to its client components (bigints as strings). */
export type FamilyMemberView = {
  userId: string;
  name: string | null;
  phone: string;
  role: "owner" | "member";
  capTokens: string | null;
  paused: boolean;
  used: string;
  held: string;
  isSelf: boolean;
};

export type PendingInvitationView = { id: string; phone: string; capTokens: string | null; expiresAt: string };

export type IncomingInvitationView = { id: string; inviterName: string | null; inviterPhone: string; capTokens: string | null; expiresAt: string };

export type MemberTotalView = {
  userId: string;
  name: string | null;
  phone: string;
  role: "owner" | "member";
  status: "active" | "removed";
  requests: number;
  planTokens: string;
};
