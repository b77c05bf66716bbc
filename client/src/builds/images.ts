/**
 * The images built per Dockerfile and target (kept in the workspace state, the 200
 * most recent), which the lens titles show (size, age). No builder calls here.
 */
import * as vscode from 'vscode';

export interface BuiltImage {
  readonly tag: string;
  readonly id: string | undefined;
  readonly size: number | undefined;
  readonly created: string | undefined;
  readonly builtAt: string;
  /** How long the build took, in seconds. */
  readonly seconds?: number;
}

const canonical = (uri: string): string => vscode.Uri.parse(uri).toString();

/** The last image built per (Dockerfile, target), kept in the workspace state. */
export class ImageCache {
  private static readonly KEY = 'dockerStages.builtImages';
  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, BuiltImage> {
    const v = this.memento.get<unknown>(ImageCache.KEY);
    return typeof v === 'object' && v !== null ? (v as Record<string, BuiltImage>) : {};
  }

  private static key(uri: string, target: string | null | undefined): string {
    return `${canonical(uri)}#${target ?? ''}`;
  }

  get(uri: string, target: string | null | undefined): BuiltImage | undefined {
    const v = this.all()[ImageCache.key(uri, target)];
    return v && typeof v.tag === 'string' ? v : undefined;
  }

  async set(uri: string, target: string | null | undefined, image: BuiltImage): Promise<void> {
    const all = { ...this.all(), [ImageCache.key(uri, target)]: image };
    // Keep the 200 most recent.
    const keys = Object.keys(all).sort((a, b) => (all[b]?.builtAt ?? '').localeCompare(all[a]?.builtAt ?? ''));
    for (const k of keys.slice(200)) delete all[k];
    await this.memento.update(ImageCache.KEY, all);
  }
}
