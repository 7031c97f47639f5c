/**
 * The Jupyter wire protocol (messaging spec 5.3): how one message becomes zeromq frames and back.
 *
 *   [routing ids…] "<IDS|MSG>" signature header parent_header metadata content [buffers…]
 *
 * The signature is HMAC-SHA256, keyed with the connection file's key, over the four JSON frames
 * header, parent_header, metadata and content, in that order, as lowercase hex.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface Message<Content = Record<string, unknown>> {
  header: MessageHeader;
  /** The header of the request this message answers; `{}` on requests. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Content;
}

export function sign(key: string, frames: readonly (string | Buffer)[]): string {
  const hmac = createHmac("sha256", key);
  for (const frame of frames) hmac.update(frame);
  return hmac.digest("hex");
}

export function newMessage<Content>(msgType: string, content: Content, session: string): Message<Content> {
  return {
    header: {
      msg_id: randomUUID(),
      msg_type: msgType,
      session,
      username: "batchprop",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    },
    parent_header: {},
    metadata: {},
    content,
  };
}

/** The frames a DEALER sends: no routing prefix, the delimiter, the signature, the four parts. */
export function encode(key: string, message: Message<unknown>): string[] {
  const parts = [
    JSON.stringify(message.header),
    JSON.stringify(message.parent_header),
    JSON.stringify(message.metadata),
    JSON.stringify(message.content),
  ];
  return [DELIMITER, sign(key, parts), ...parts];
}

/** Parses received frames; throws if the delimiter is missing or the signature does not match. */
export function decode(key: string, frames: readonly Buffer[]): Message {
  const at = frames.findIndex((frame) => frame.toString() === DELIMITER);
  if (at < 0) throw new Error("Jupyter message without the <IDS|MSG> delimiter");
  if (frames.length < at + 6) throw new Error(`Jupyter message with ${frames.length - at - 1} frames after the delimiter, expected at least 5`);
  const signature = frames[at + 1].toString();
  const parts = frames.slice(at + 2, at + 6);
  const expected = sign(key, parts);
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    throw new Error("Jupyter message with a wrong HMAC signature");
  }
  const [header, parent_header, metadata, content] = parts.map((part) => JSON.parse(part.toString()) as unknown);
  return {
    header: header as MessageHeader,
    parent_header: parent_header as Partial<MessageHeader>,
    metadata: metadata as Record<string, unknown>,
    content: content as Record<string, unknown>,
  };
}
