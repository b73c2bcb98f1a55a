import { ApplicationFailure, Context } from 'cairnflow/activity';

export async function declineCard(cardId: string): Promise<never> {
  throw ApplicationFailure.nonRetryable(`card ${cardId} declined`, 'CardDeclined');
}

export async function hang(): Promise<string> {
  await Context.current().sleep('1 hour');
  return 'woke';
}
