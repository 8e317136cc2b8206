// Timezone fixed so that times rendered in tests read the same on every machine.
process.env.TZ = 'UTC';

const base = require('./.config/jest.config.js');

module.exports = {
  ...base,
  // The scaffold's setup file is imported from here; jest would load a root .js file as ESM
  // because the root package.json is "type": "module".
  setupFilesAfterEnv: ['<rootDir>/jest-setup.cjs'],
  modulePaths: [],
  transform: {
    ...base.transform,
    // d3-color (pulled in by @grafana/data) ships only .mjs files.
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  // Grafana UI components are heavy to import; on 2 shared cores the default 5 s is not enough.
  testTimeout: 60000,
};
