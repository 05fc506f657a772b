/**
 * Which of the `tactful.*` settings go to the server, and in what shape.
 *
 * The server reads `{review: {...}, llm: {...}, ..., cacheDir}` (camelCase, as in
 * server/settings.py) and rejects keys it does not know, so the extension's own
 * `tactful.server.*` settings stay here. Only values the user set are sent: a default
 * sent from here would override the repository's `.tactful/settings.json`.
 * No `vscode` import, so the unit tests run without the workbench.
 */

/** Settings the extension reads itself; never sent to the server. */
export const EXTENSION_PREFIX = "tactful.server.";

/** The key VS Code used to store the API key in plain text before it moved to SecretStorage. */
export const LEGACY_API_KEY = "llm.apiKey";

export type ServerSettings = Record<string, unknown>;

/**
 * The server's settings object from the contributed keys (`tactful.lsp.debounceMs`) and the
 * value the user set for each key, or `undefined` where they set none.
 */
export function serverSettings(
  contributed: readonly string[],
  userValue: (key: string) => unknown,
): ServerSettings {
  const out: ServerSettings = {};
  for (const full of contributed) {
    if (!full.startsWith("tactful.") || full.startsWith(EXTENSION_PREFIX)) {
      continue;
    }
    const key = full.slice("tactful.".length);
    const value = userValue(key);
    if (value === undefined) {
      continue;
    }
    const [section, ...rest] = key.split(".");
    if (rest.length === 0) {
      out[section] = value;
      continue;
    }
    const group = (out[section] ??= {}) as Record<string, unknown>;
    group[rest.join(".")] = value;
  }
  return out;
}
