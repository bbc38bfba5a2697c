// Public surface of compiler/: the LLB IR, its codec, the State builder and the frontend contract.
export { Definition } from './definition.js';
export type { DefinitionOp } from './definition.js';
export { digestOf, isDigest } from './digest.js';
export type { Digest } from './digest.js';
export { dumpDot, dumpJsonLines } from './dump/dump-llb.js';
export { goJson, goString } from './dump/go-json.js';
export { goQuote } from './dump/go-quote.js';
export { KilnError, LlbValidationError, ProtoDecodeError } from './errors.js';
export type { Frontend, FrontendRequest, FrontendResult, Gateway, ImageConfig, Ref, Stat } from './frontend-api.js';
export * as pb from './generated/ops.js';
export { llbSchema } from './generated/ops.js';
export { familiarImageRef, formatImageRef, parseImageRef } from './image-ref.js';
export type { ImageRef } from './image-ref.js';
export * as llb from './llb/index.js';
export { findCycle, opKind, outputCount } from './validate.js';
export { decodeMessage, encodeMessage, MAP_ORDER } from './wire/codec.js';
export type { Int64, ProtoMessage, ProtoSchema } from './wire/proto-schema.js';
