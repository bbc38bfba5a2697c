// Prints one plain closing line, `N passed, N failed[, N skipped]`, after Jest's
// own summary, so tools that read a run's last line can count the tests. Jest
// writes its summary to stderr; the line goes to both streams so it closes either.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    process.stderr.write(`\n${line}`);
    process.stdout.write(line);
  }
}
module.exports = SummaryReporter;
