/**
 * A parsed JSON answer that a test reads field by field and asserts on with `expect`
 * (`expect(res.body.Response.Items.MatchedOffer).toHaveLength(5)`): what `JSON.parse` returns.
 * A wrong shape fails the assertion, which is the check; this is why the test override in
 * eslint.config.mjs turns the `no-unsafe-*` rules off. Anything the test hands on or iterates
 * gets a real type (the library's models or a local interface).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON whose shape the test asserts with expect (see above)
export type WireJson = any;
