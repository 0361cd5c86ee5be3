import { streamCompletion, type StreamCompletionInput, type StreamEvent } from "@/lib/upstream";

/**
 * How the pipeline calls a model: lib/upstream's streamCompletion, read as is (text is metered
 * and forwarded; reasoning is neither forwarded nor counted apart — a provider's usage report
 * covers it). A seam for another transport.
 */
export type UpstreamCall = (args: StreamCompletionInput) => AsyncIterable<StreamEvent>;

export const defaultUpstream: UpstreamCall = streamCompletion;
