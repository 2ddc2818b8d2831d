/** Service worker (placeholder until the offline layer lands). */
export {};
