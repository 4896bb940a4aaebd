// git send-email: its own SMTP code takes a fixed password, which an access token is not (it
// expires within the hour). git hands the message to msmtp instead (sendemail.sendmailCmd,
// git 2.33+), and msmtp logs in with a fresh token each time.
import type { ClientModule } from './types.ts';
import { accountName, mechanismLower } from './types.ts';
import { msmtp } from './msmtp.ts';

export const gitSendEmail: ClientModule = {
  id: 'git-send-email',
  label: 'git send-email (through msmtp)',
  kind: 'config',
  supports: msmtp.supports,
  where: '~/.gitconfig (the [sendemail] part) and ~/.msmtprc (the msmtp part)',
  render(input, plans) {
    const smtp = plans.find((p) => p.protocol === 'smtp');
    if (!smtp) return '';
    return [
      `# git send-email for ${input.address} (Mail OAuth Assistant): git hands each message to msmtp,`,
      `# which logs in with ${smtp.mechanism} and a fresh token. Put this part in ~/.gitconfig:`,
      '[sendemail]',
      `\tsendmailCmd = msmtp --account=${accountName(input.address)}`,
      `\tfrom = ${input.address}`,
      '\tenvelopeSender = auto',
      '',
      `# ... and this part in ~/.msmtprc (auth ${mechanismLower(smtp.mechanism)}):`,
      msmtp.render(input, plans),
    ].join('\n');
  },
};
