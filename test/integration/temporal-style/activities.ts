import { Context } from 'cairnflow/activity';

export const charges: { customerId: string; period: number }[] = [];

export async function chargeSubscription(customerId: string, period: number): Promise<void> {
  charges.push({ customerId, period });
}

export async function fetchQuote(symbol: string): Promise<number> {
  return symbol.length * 10;
}

export async function slowQuote(symbol: string): Promise<number> {
  await Context.current().sleep('1 minute');
  return symbol.length;
}
