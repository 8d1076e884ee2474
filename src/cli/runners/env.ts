// The environment of a runner process: isolation off for probes, on (with our report) for state runs.
export function runnerEnv(base: NodeJS.ProcessEnv, isolated: boolean, report: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base }
  // Each run is its own run in the JSON Lines report.
  delete env.ISOLATED_TEST_RUN_ID
  delete env.ISOLATED_TEST_REPORT
  if (isolated) {
    delete env.ISOLATED_TEST
    if (report) env.ISOLATED_TEST_REPORT = report
  } else {
    // Every isolated() body, the Vitest plugin and the Jest environment run in-process.
    env.ISOLATED_TEST = 'off'
  }
  return env
}
