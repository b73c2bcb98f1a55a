export async function step(n: number): Promise<number> {
  return n + 1;
}
