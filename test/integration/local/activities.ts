export async function square(n: number): Promise<number> {
  return n * n;
}

export async function blob(bytes: number): Promise<string> {
  return `${'x'.repeat(bytes - 7)}the-end`;
}

export async function checksum(text: string): Promise<number> {
  let sum = 0;
  for (let i = 0; i < text.length; i += 997) sum = (sum + text.charCodeAt(i)) % 65_521;
  return sum + text.length;
}

export async function echo(text: string): Promise<string> {
  return `${text}-result`;
}
