/** The app version, set by the bundler from package.json (paradata: `meta.appVersion`). */
declare const __CSI_APP_VERSION__: string | undefined;

export const APP_VERSION: string = typeof __CSI_APP_VERSION__ === 'string' ? __CSI_APP_VERSION__ : 'dev';
