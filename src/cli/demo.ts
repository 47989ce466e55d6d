/** `stockcast demo`: the offline end-to-end run on embedded defaults. */
export async function runDemoCommand(): Promise<void> {
  process.stdout.write('stockcast demo: nothing wired yet\n');
}
