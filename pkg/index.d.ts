/** Configuration for {@link init}. */
export interface TouchpointConfig {
  /** The site's public key, as registered with the Touchpoint worker. */
  site: string;
  /** Base URL of the Touchpoint worker, e.g. `https://touchpoint.example.com`. */
  endpoint: string;
  /** Text of the launcher button. Defaults to "Talk to us". */
  launcherLabel?: string;
}

/**
 * Starts Touchpoint on this page: records the page view and shows the launcher.
 * Resolves once the page view was handed to the network; calling it again
 * returns the first call's promise.
 */
export function init(config: TouchpointConfig): Promise<void>;
