// Prints one plain closing line, `N passed, N failed[, N skipped]`, as the very
// last line of a run (after Jest's own summary, hence at process exit), so tools
// that read a run's closing line can count the tests.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    process.once('exit', () => {
      process.stderr.write(`\n${line}`);
      process.stdout.write(line);
    });
  }
}
module.exports = SummaryReporter;
