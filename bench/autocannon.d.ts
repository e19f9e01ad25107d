/** autocannon ships no types; bench/ingest.ts uses its programmatic API untyped. */
declare module 'autocannon';
