import bigInt from 'big-integer';
import { Api } from 'telegram';

/**
 * A chat's input peer as it can be written to disk: a StringSession keeps no
 * entities, so after a restart this is what lets the bridge reach a chat
 * (an access hash), with no dialog scan.
 */
export type StoredPeer = { type: 'channel'; id: string; accessHash: string } | { type: 'chat'; id: string } | { type: 'user'; id: string; accessHash: string };

export function toStoredPeer(peer: Api.TypeInputPeer): StoredPeer | undefined {
  if (peer instanceof Api.InputPeerChannel) return { type: 'channel', id: peer.channelId.toString(), accessHash: peer.accessHash.toString() };
  if (peer instanceof Api.InputPeerChat) return { type: 'chat', id: peer.chatId.toString() };
  if (peer instanceof Api.InputPeerUser) return { type: 'user', id: peer.userId.toString(), accessHash: peer.accessHash.toString() };
  return undefined;
}

export function toInputPeer(peer: StoredPeer): Api.TypeInputPeer {
  switch (peer.type) {
    case 'channel':
      return new Api.InputPeerChannel({ channelId: bigInt(peer.id), accessHash: bigInt(peer.accessHash) });
    case 'chat':
      return new Api.InputPeerChat({ chatId: bigInt(peer.id) });
    case 'user':
      return new Api.InputPeerUser({ userId: bigInt(peer.id), accessHash: bigInt(peer.accessHash) });
  }
}

/** Where the peers of the chats the bridge has heard from are kept. */
export interface PeerStore {
  get(chatId: string): StoredPeer | undefined;
  set(chatId: string, peer: StoredPeer): void;
}
