export async function reveal(secret: string): Promise<string> {
  return `revealed:${secret}`;
}
