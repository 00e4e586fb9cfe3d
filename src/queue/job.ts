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
  state: 'pending' | 'running';
}
