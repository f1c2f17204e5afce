/** The version of imdad written into every saved model (kept equal to package.json by a test). */
export const IMDAD_VERSION = '0.1.0';
