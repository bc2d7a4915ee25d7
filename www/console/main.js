// Loads the console's wasm and mounts it; a separate file so the page needs no inline script.
import init, { startConsole } from './touchpoint_console.js';

init({ module_or_path: new URL('./touchpoint_console_bg.wasm', import.meta.url) })
  .then(() => startConsole())
  .catch((error) => console.error('The Touchpoint console could not start:', error));
