import { defineConfig } from "vitest/config";

// The notebooks and the site each start kernels, workers and a browser on a 2-core machine, so they
// run after the unit tests and one at a time: first the notebooks, whose executed copies in
// build/notebooks the site's build then reuses (the runner skips a notebook whose source and library
// are unchanged), then the site.
const notebooks = ["test/notebooks/project.test.ts"];
const site = ["test/site/site.e2e.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [...notebooks, ...site], sequence: { groupOrder: 0 } } },
      // Notebooks 09-10 read the default experiments' results: the setup runs whatever is missing.
      { extends: true, test: { name: "notebooks", include: notebooks, globalSetup: ["test/notebooks/default-results.setup.ts"], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: "site", include: site, sequence: { groupOrder: 2 } } },
    ],
  },
});
