/** Prices an item (an activity, so an accepted update's handler has something durable to wait on). */
export async function priceItem(name: string): Promise<number> {
  return name.length;
}
