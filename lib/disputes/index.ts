// 申诉: a user's question about one charge, answered by staff with an explanation or an audited refund.
export {
  openDispute,
  getDisputeForUsage,
  listDisputeQueue,
  answerDispute,
  DISPUTE_SLA_HOURS,
  DISPUTE_NOTE_MAX,
  type QueueTicket,
  type DisputeErrorCode,
} from "./disputes";
