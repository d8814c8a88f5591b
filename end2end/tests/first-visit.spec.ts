// A first visit paints index.html's loading shell before the wasm arrives,
// and the app takes its place when it mounts (issue 12).
import { expect, test } from './fixtures/test';

test('the loading shell shows until the app mounts, then is gone', async ({ page }) => {
  // Hold the wasm back so the shell's moment can be seen.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let asked = false;
  await page.route('**/*.wasm', async (route) => {
    asked = true;
    await held;
    await route.continue();
  });
  await page.goto('/sign-in', { waitUntil: 'domcontentloaded' });
  const shell = page.locator('#boot-shell');
  await expect(shell.getByRole('status')).toContainText('Loading the portal…');
  await expect(page.getByRole('heading', { level: 1 })).toHaveCount(0);
  await expect.poll(() => asked, { message: 'the wasm is asked for after the shell paints' }).toBe(true);

  release();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(shell).toHaveCount(0);
  await expect(page.getByRole('main')).toHaveCount(1);
  await expect(page.getByText('Loading the portal…')).toHaveCount(0);
});
