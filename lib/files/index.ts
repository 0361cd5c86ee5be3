// Attachments: storage behind a small interface, type sniffing, text extraction and limits.
export { attachmentMetaColumns, databaseStore, type AttachmentStore, type AttachmentMeta, type NewAttachment } from "./storage";
export { readUpload, documentContext, type FileRefusal, type ReadResult } from "./extract";
export { uploadAttachment, type UploadResult, type AttachmentView, toAttachmentView } from "./upload";
export { FILE_LIMITS, ACCEPT_ATTRIBUTE, extensionOf } from "./limits";
export { sniff, claimedType } from "./sniff";
export { checkZip } from "./zip";
