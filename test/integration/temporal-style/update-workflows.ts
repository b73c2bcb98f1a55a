import * as wf from 'cairnflow/workflow';
import type * as activities from './update-activities.ts';

const { priceItem } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** Adds an item to the cart and answers the cart's new total. Empty names are refused. */
export const addItem = wf.defineUpdate<number, [string]>('addItem');
export const checkout = wf.defineSignal('checkout');
export const itemsQuery = wf.defineQuery<string[]>('items');

/** A shopping cart, as Temporal's update-with-start sample keeps one: created by its first update. */
export async function shoppingCart(): Promise<{ items: string[]; total: number }> {
  const items: string[] = [];
  let total = 0;
  let checkedOut = false;
  wf.setHandler(
    addItem,
    async (name) => {
      const price = await priceItem(name);
      items.push(name);
      total += price;
      return total;
    },
    {
      validator: (name) => {
        if (typeof name !== 'string' || name.length === 0) throw new Error('an item needs a name');
      },
    },
  );
  wf.setHandler(itemsQuery, () => items);
  wf.setHandler(checkout, () => {
    checkedOut = true;
  });
  await wf.condition(() => checkedOut && wf.allHandlersFinished());
  return { items, total };
}
