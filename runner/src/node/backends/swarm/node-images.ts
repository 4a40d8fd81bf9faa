// A lab's image on a swarm node: the runner builds it once on its own engine
// (the recipe-hash builders), then copies it to each node that lacks it, as
// `docker save | docker load` through the two engines' APIs — the same tag, so
// the same recipe hash, on every node; no registry needed. One copy per node
// and image at a time, shared by every start that needs it.
import type Docker from 'dockerode';
import type { Words } from '../../../common/langs.ts';

export class NodeImages {
  private readonly copies = new Map<string, Promise<void>>();

  constructor(private readonly source: Docker) {}

  /** Resolves once `ref` is on the node's engine; `onProgress` hears when a copy is needed. */
  ensure(node: { key: string; name: string; docker: Docker }, ref: string, onProgress: (note: Words) => void = () => {}): Promise<void> {
    const id = `${node.key} ${ref}`;
    let p = this.copies.get(id);
    if (!p) {
      p = this.copy(node, ref, onProgress).finally(() => this.copies.delete(id));
      this.copies.set(id, p);
    }
    return p;
  }

  private async copy(node: { name: string; docker: Docker }, ref: string, onProgress: (note: Words) => void): Promise<void> {
    if (await has(node.docker, ref)) return;
    onProgress({ en: `copying image ${ref} to node ${node.name}`, ko: `노드 ${node.name}에 이미지를 복사하는 중: ${ref}` });
    const tar = await this.source.getImage(ref).get();
    const answer = await node.docker.loadImage(tar, { quiet: true });
    // The engine streams its own progress and errors as JSON lines; an error line fails the load.
    const text = await readAll(answer);
    const failed = /"error(?:Detail)?":\s*(?:\{[^}]*"message":\s*)?"([^"]+)"/.exec(text);
    if (failed) throw new Error(`node ${node.name} could not load ${ref}: ${failed[1]}`);
    if (!(await has(node.docker, ref))) throw new Error(`node ${node.name} loaded the image stream but has no ${ref}`);
  }
}

async function has(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
