/**
 * Settings: one cached `workspace/configuration` answer per resource URI, validated
 * and normalised by protocol.ts `normaliseSettings` (defaults for anything missing or
 * of the wrong type). Without the client capability every resource gets the defaults.
 * A new setting is a field of `Settings` in protocol.ts plus its normalisation there;
 * nothing here changes.
 */
import { DEFAULT_SETTINGS, normaliseSettings, type Settings } from '../protocol';

/** Asks the client for the raw settings section of a resource. */
export type ConfigurationSource = (scopeUri: string) => Promise<unknown>;

export class SettingsStore {
  private readonly cache = new Map<string, Promise<Settings>>();
  /** Set at initialize: does the client answer `workspace/configuration`? */
  enabled = false;

  constructor(private readonly source: ConfigurationSource) {}

  get(uri: string): Promise<Settings> {
    if (!this.enabled) return Promise.resolve(DEFAULT_SETTINGS);
    let s = this.cache.get(uri);
    if (!s) {
      s = this.source(uri).then(normaliseSettings, () => DEFAULT_SETTINGS);
      this.cache.set(uri, s);
    }
    return s;
  }

  /** Would `get(uri)` ask the client (no answer for `uri` cached or on its way)? */
  wouldAsk(uri: string): boolean {
    return this.enabled && !this.cache.has(uri);
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  clear(): void {
    this.cache.clear();
  }
}
