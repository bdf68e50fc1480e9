// For Jest only: compiles the ES modules that transformIgnorePatterns lets through (Nest 12's
// packages and nestjs-personalized-offers) to CommonJS, which Jest's CommonJS runtime can load.
module.exports = {
  plugins: [
    '@babel/plugin-transform-modules-commonjs',
    // `import.meta.url` (used by @nestjs/common) has no CommonJS form: it becomes the file's own URL.
    ({ template }) => ({
      visitor: {
        MetaProperty(path) {
          path.replaceWith(template.expression.ast`({ url: require('node:url').pathToFileURL(__filename).href })`);
        },
      },
    }),
  ],
};
