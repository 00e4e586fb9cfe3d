export interface NewJob {
  projectKey: string;
  chatId: string;
  messageId: number;
  /** The forum topic the message came from: the answer goes there. */
  topicId?: number;
  text: string;
}

export interface Job extends NewJob {
  /** Sortable: arrival order. */
  id: string;
  /** delivering: its answer has started to go out; it is never answered again. */
  state: 'pending' | 'running' | 'delivering';
}
