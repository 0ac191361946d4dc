const transform = { "^.+\\.(ts|tsx|js|mjs)$": "<rootDir>/test/esbuild-transform.cjs" };
// preact ships ESM; let the transform turn it into CJS for jest.
const transformIgnorePatterns = ["/node_modules/(?!(preact|@testing-library/preact)/)"];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts", "<rootDir>/test/unit/**/*.test.tsx", "<rootDir>/src/**/*.test.ts", "<rootDir>/src/**/*.test.tsx"],
      transform, transformIgnorePatterns,
      testEnvironment: "node",
    },
    {
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      transform, transformIgnorePatterns,
      testEnvironment: "node",
      slowTestThreshold: 60,
    },
  ],
  testTimeout: 120000,
};
