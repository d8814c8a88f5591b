// Each role sees what it may: the overview for billing readers, the
// no-access view (naming who manages billing) for members, whom the API refuses.
import { expect, test } from '@playwright/test';
import { createAccount, Role, userOf } from './fixtures/api';
import { signInAs } from './fixtures/pages';

for (const role of ['owner', 'admin', 'billing_member'] as Role[]) {
  test(`the ${role} sees the plan, seats, next charge and card`, async ({ page, request }) => {
    const account = await createAccount(request);
    await signInAs(page, userOf(account, role));
    const main = page.getByRole('main');
    await expect(main.getByRole('heading', { name: 'Business' })).toBeVisible();
    await expect(main.getByText('Monthly')).toBeVisible();
    await expect(main.getByText('4 of 12 seats used')).toBeVisible();
    // The next charge; the same amount also appears on the latest invoice.
    await expect(main.getByRole('region', { name: 'Next charge' }).getByText('$1,668.00')).toBeVisible();
    await expect(main.getByText('Visa ending in 4242')).toBeVisible();
    await expect(main.getByText('Active', { exact: true })).toBeVisible();
  });
}

test('a member sees who manages billing instead, and the API refuses them', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  const admin = userOf(account, 'admin');
  const billing = await signInAs(page, userOf(account, 'member'));
  await expect(billing.noAccessHeading()).toBeVisible();
  const main = page.getByRole('main');
  await expect(main.getByRole('link', { name: owner.email })).toBeVisible();
  await expect(main.getByRole('link', { name: admin.email })).toBeVisible();
  await expect(main.getByText('$1,668.00')).toHaveCount(0);
  await expect(main.getByText('Visa ending in 4242')).toHaveCount(0);

  // The same session asking the API directly is refused.
  const res = await page.request.get('/api/billing/overview');
  expect(res.status()).toBe(403);
  const body = await res.json();
  expect(body.error.code).toBe('permission_denied');
});
