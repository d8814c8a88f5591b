// Billing access: a member asks for it, the owner grants, raises and
// revokes it, and every view follows at the member's very next request;
// with owner-only cancel on, admins can no longer cancel.
import { expect, Page, test } from '@playwright/test';
import { createAccount, userOf } from './fixtures/api';
import { BillingPage, InvoicesPage, navLink, signInAs } from './fixtures/pages';
import { BillingAccessPage, permissionsOf, SubscriptionPage } from './fixtures/subscription';

/** The cancel entry at the bottom of Plans & Billing, however it is drawn. */
function cancelEntry(page: Page) {
  return page
    .getByRole('link', { name: 'Cancel subscription', exact: true })
    .or(page.getByRole('button', { name: 'Cancel subscription', exact: true }));
}

test('a member asks for access; the owner grants, raises and revokes it', async ({ browser, page, request }) => {
  const account = await createAccount(request);

  // The member has no access, and asks the owner with a note.
  const member = page;
  const memberBilling = await signInAs(member, userOf(account, 'member'));
  await expect(memberBilling.noAccessHeading()).toBeVisible();
  await member.getByLabel('Note to the owner').fill('I reconcile our invoices each month.');
  await member.getByRole('button', { name: 'Request billing access' }).click();
  await expect(
    member.getByRole('status').filter({ hasText: "Request sent. We'll email you when the owner decides." }),
  ).toBeVisible();
  await member.reload();
  await expect(member.getByText('Your request is pending with the owner.')).toBeVisible();
  await expect(member.getByRole('button', { name: 'Request billing access' })).toHaveCount(0);

  // The owner, in another browser, sees the request and grants read access.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await signInAs(owner, userOf(account, 'owner'));
  await navLink(owner, 'Billing access').click();
  const access = new BillingAccessPage(owner);
  await expect(access.heading()).toBeVisible();
  await expect(owner).toHaveTitle('Billing — Billing access');
  const request1 = access.request('Max Member');
  await expect(request1).toContainText('I reconcile our invoices each month.');
  await request1.getByRole('button', { name: 'Grant read access' }).click();
  await expect(access.announcement('Max Member now has read access.')).toBeVisible();
  await expect(access.requests()).toContainText('No open requests.');
  await expect(access.accessSelect('Max Member')).toHaveValue('read');
  await expect(access.row('Olivia Owner')).toContainText('Manages billing (owner)');
  await expect(access.row('Adam Admin')).toContainText('Manages billing (admin)');

  // The member now reads billing, but changes nothing.
  await member.reload();
  await expect(member.getByText('4 of 12 seats used')).toBeVisible();
  await navLink(member, 'Invoices').click();
  await expect(new InvoicesPage(member).table()).toBeVisible();
  await navLink(member, 'Subscription').click();
  const subscription = new SubscriptionPage(member);
  await expect(
    member.getByText('Only the account owner, admins and members with manage access can change the subscription.'),
  ).toBeVisible();
  await expect(subscription.addSeat()).toHaveCount(0);
  await expect(navLink(member, 'Billing access')).toHaveCount(0);

  // The owner raises it to manage, confirming in place.
  await access.accessSelect('Max Member').selectOption('manage');
  await expect(owner.getByText('Give Max Member manage access?')).toBeVisible();
  await owner.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(access.announcement('Max Member now has manage access.')).toBeVisible();
  await expect(owner.getByText('Give Max Member manage access?')).toHaveCount(0);

  // The member buys a seat.
  await member.reload();
  await subscription.addSeat().click();
  await expect(subscription.preview()).toContainText('1 additional seat on the Business plan');
  await subscription.reviewButton().click();
  await subscription.confirmButton().click();
  await expect(subscription.outcome()).toContainText('was charged to Visa ending in 4242.');
  await expect(subscription.seats()).toHaveValue('13');
  // The page has settled: the rebuilt editor priced the annual saving.
  await expect(member.getByText('You have 13 seats; 4 in use.')).toBeVisible();
  await expect(subscription.intervalOption('Annual')).toContainText('Save about 14%');

  // The owner revokes it; the member's very next click shows why the page changed.
  await access.accessSelect('Max Member').selectOption('none');
  await expect(owner.getByText("Remove Max Member's billing access?")).toBeVisible();
  await owner.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(access.announcement('Max Member no longer has billing access.')).toBeVisible();

  await subscription.addSeat().click();
  await expect(member.getByRole('alert').filter({ hasText: 'Your billing access has changed.' })).toBeVisible();
  await expect(new BillingPage(member).noAccessHeading()).toBeVisible();
  await expect(subscription.addSeat()).toHaveCount(0);
  await expect(navLink(member, 'Subscription')).toHaveCount(0);
  await ownerContext.close();
});

test('the owner declines a request, and the member may ask again', async ({ browser, page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'member'));
  await page.getByRole('button', { name: 'Request billing access' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Request sent.' })).toBeVisible();

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await signInAs(owner, userOf(account, 'owner'));
  const access = new BillingAccessPage(owner);
  await access.goto();
  const pending = access.request('Max Member');
  await expect(pending).toContainText('No note.');
  await pending.getByRole('button', { name: 'Decline' }).click();
  await expect(access.announcement("You declined Max Member's request.")).toBeVisible();
  await expect(access.requestsHeading()).toBeFocused();
  await expect(access.accessSelect('Max Member')).toHaveValue('none');
  await ownerContext.close();

  await page.reload();
  await expect(page.getByRole('button', { name: 'Request billing access' })).toBeVisible();
});

test('with owner-only cancel on, admins cannot cancel and see the policy read-only', async ({
  browser,
  page,
  request,
}) => {
  const account = await createAccount(request);
  const adminBilling = await signInAs(page, userOf(account, 'admin'));
  await expect(cancelEntry(page).first()).toBeVisible();

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await signInAs(owner, userOf(account, 'owner'));
  const access = new BillingAccessPage(owner);
  await access.goto();
  await expect(access.ownerOnlyCancel()).not.toBeChecked();
  await access.ownerOnlyCancel().check();
  await expect(access.announcement('Only the owner can cancel the subscription now.')).toBeVisible();
  await expect(access.ownerOnlyCancel()).toBeChecked();
  await ownerContext.close();

  expect(await permissionsOf(page.request)).not.toContain('account:cancel');
  await adminBilling.goto();
  await expect(page.getByText('4 of 12 seats used')).toBeVisible();
  await expect(cancelEntry(page)).toHaveCount(0);

  // The admin sees who has access and the policy, and changes neither.
  await navLink(page, 'Billing access').click();
  const adminAccess = new BillingAccessPage(page);
  await expect(adminAccess.heading()).toBeVisible();
  await expect(adminAccess.row('Bea Billing')).toContainText('View billing (read)');
  await expect(page.getByText('Only the owner can change billing access.')).toBeVisible();
  await expect(page.getByRole('combobox')).toHaveCount(0);
  await expect(adminAccess.requests()).toHaveCount(0);
  await expect(adminAccess.ownerOnlyCancel()).toBeChecked();
  await expect(adminAccess.ownerOnlyCancel()).toBeDisabled();
  await expect(page.getByText('Only the owner can change this policy.')).toBeVisible();
});

test('members without billing access have no Billing access page', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'billing_member'));
  await expect(navLink(page, 'Billing access')).toHaveCount(0);
  await page.goto('/billing/access');
  await expect(new BillingAccessPage(page).heading()).toBeVisible();
  await expect(page.getByRole('heading', { name: "You don't have access to this page" })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  expect((await page.request.get('/api/members')).status()).toBe(403);
});
