// Contract plans (Premium) are cancelled with the Customer Success Manager:
// the wizard ends at a meeting request, with no cancel button.
import { expect, test } from '@playwright/test';
import { createAccount, emailsOf, idempotencyKey, userOf } from './fixtures/api';
import { CancelEntry, CancelWizard, overviewOf, switchToPremium } from './fixtures/cancel';
import { signInAs } from './fixtures/pages';

test('a Premium account reaches Customer Success and requests a meeting', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await switchToPremium(page.request);
  await page.reload();
  const wizard = new CancelWizard(page);

  await new CancelEntry(page).link().click();
  await wizard.expectStep('Why are you cancelling?', 'Step 1 of 2');
  await wizard.reason("It's missing features we need").check();
  await wizard.continue();

  await wizard.expectStep('Talk to your Customer Success Manager', 'Step 2 of 2');
  await expect(wizard.cancelButton()).toHaveCount(0);
  await expect(wizard.confirmationField()).toHaveCount(0);
  await expect(wizard.keepLink()).toBeVisible();
  await page.getByLabel('Note for your Customer Success Manager (optional)').fill('We need SSO by March.');
  await page.getByRole('button', { name: 'Request a meeting' }).click();

  await expect(wizard.heading('Your Customer Success Manager will contact you')).toBeFocused();
  const emails = await emailsOf(request, account.account_id);
  const meeting = emails.find((e) => e.kind === 'meeting_request');
  expect(meeting?.to).toBe('success@example.com');
  expect(meeting?.body).toContain('We need SSO by March.');
  expect((await overviewOf(page.request)).status).toBe('active');

  // The API holds the same line: no self-serve cancel on a contract.
  const res = await page.request.post('/api/subscription/cancel', {
    headers: { 'Idempotency-Key': idempotencyKey() },
    data: { confirmation: 'CONFIRM', acknowledged: ['access_ends', 'data_deleted'] },
  });
  expect(res.status()).toBe(409);
  expect((await res.json()).error.code).toBe('contract_plan');
});
