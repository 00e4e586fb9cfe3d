export interface NewJob {
  projectKey: string;
  chatId: string;
  messageId: number;
  text: string;
}

export interface Job extends NewJob {
  /** Sortable: arrival order. */
  id: string;
  state: 'pending' | 'running';
}
