import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 emulator keeps objects in memory only. `cairn dev` with a state directory saves the
 * payload bucket there when it stops and restores it when it starts, so offloaded payloads
 * (history items above the offload threshold) outlive a restart as the tables do.
 */
export async function savePayloads(s3: S3Client, bucket: string, dir: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (!Key) continue;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const path = join(dir, ...Key.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await object.Body!.transformToByteArray());
    }
    token = page.NextContinuationToken;
  } while (token);
}

/** Puts every object saved by {@link savePayloads} back into the bucket. */
export async function restorePayloads(s3: S3Client, bucket: string, dir: string): Promise<void> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const file of files) {
    if (!file.isFile()) continue;
    const path = join(file.parentPath, file.name);
    const Key = relative(dir, path).split(sep).join('/');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: await readFile(path) }));
  }
}
