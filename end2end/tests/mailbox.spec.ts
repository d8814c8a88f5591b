// The dev mailbox shows what the billing service sent, e.g. a renewal's receipt.
import { expect, test } from '@playwright/test';
import { advancePastPeriodEnd, createAccount, invoiceNumbers, userOf } from './fixtures/api';
import { MailboxPage, navLink, signInAs } from './fixtures/pages';

test('after a renewal the dev mailbox lists its receipt', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await advancePastPeriodEnd(page.request, request, account.account_id);
  const [renewal] = await invoiceNumbers(page.request);

  await navLink(page, 'Dev mailbox').click();
  const mailbox = new MailboxPage(page);
  await expect(mailbox.heading()).toBeVisible();
  await expect(page).toHaveTitle('Billing — Dev mailbox');
  const receipt = mailbox.email(`Receipt for ${renewal}`);
  await expect(receipt).toBeVisible();
  await receipt.getByText(`Receipt for ${renewal}`).click();
  await expect(receipt.getByText(/Thank you\. We received \$1,668\.00/)).toBeVisible();
  await mailbox.refreshButton().click();
  await expect(mailbox.email(`Receipt for ${renewal}`)).toBeVisible();
});
