// Audit log: the owner and admins read who changed what and what it cost;
// billing members have no audit log.
import { expect, test } from '@playwright/test';
import { createAccount, idempotencyKey, userOf } from './fixtures/api';
import { navLink, signInAs } from './fixtures/pages';
import { AuditLogPage, changeSubscription, usd } from './fixtures/subscription';

test('after a seat purchase the audit log says who bought them and the charge', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  const change = await changeSubscription(page.request, { seats: 15 });
  const charged = usd(change.amount_due_today);

  await navLink(page, 'Audit log').click();
  const audit = new AuditLogPage(page);
  await expect(audit.heading()).toBeVisible();
  await expect(page).toHaveTitle('Billing — Audit log');
  const entry = audit.entries().filter({ hasText: 'changed seats from 12 to 15' });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(`Olivia Owner changed seats from 12 to 15 — charged ${charged}`);
  await expect(entry).toContainText('By Olivia Owner');
  await expect(entry.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);

  // Admins read it too.
  const adminPage = await page.context().browser()!.newPage();
  await signInAs(adminPage, userOf(account, 'admin'));
  await navLink(adminPage, 'Audit log').click();
  await expect(
    new AuditLogPage(adminPage).entries().filter({ hasText: `changed seats from 12 to 15 — charged ${charged}` }),
  ).toHaveCount(1);
  await adminPage.close();
});

test('older entries load a page at a time', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  // 26 policy changes: one more than a page.
  for (let i = 0; i < 26; i++) {
    const res = await page.request.patch('/api/account/policy', {
      headers: { 'Idempotency-Key': idempotencyKey() },
      data: { cancel_requires_owner: i % 2 === 0 },
    });
    expect(res.status()).toBe(200);
  }
  const all = await page.request.get('/api/audit-log?limit=200');
  const total = ((await all.json()) as { data: unknown[] }).data.length;
  expect(total).toBeGreaterThan(25);

  const audit = new AuditLogPage(page);
  await audit.goto();
  await expect(audit.entries()).toHaveCount(25);
  await expect(page.getByRole('status').filter({ hasText: '25 entries' })).toBeVisible();
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(audit.entries()).toHaveCount(total);
  // The keyboard continues from the first entry just loaded.
  await expect(audit.entries().nth(25)).toBeFocused();
  // The test clock stands still, so all entries share one time: their order
  // within it is the API's; each change is there once.
  await expect(
    audit.entries().filter({ hasText: 'Olivia Owner made cancelling the subscription owner-only' }),
  ).toHaveCount(13);
  await expect(
    audit.entries().filter({ hasText: 'Olivia Owner let admins cancel the subscription again' }),
  ).toHaveCount(13);
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
});

test('a billing member has no audit log', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'billing_member'));
  await expect(navLink(page, 'Subscription')).toBeVisible();
  await expect(navLink(page, 'Audit log')).toHaveCount(0);
  await page.goto('/billing/audit');
  const audit = new AuditLogPage(page);
  await expect(audit.heading()).toBeVisible();
  await expect(audit.noAccessHeading()).toBeVisible();
  await expect(audit.entries()).toHaveCount(0);
  expect((await page.request.get('/api/audit-log')).status()).toBe(403);
});
