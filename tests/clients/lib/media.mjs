// Real media files from Debian packages (installed by tests/clients/setup.sh), uploaded byte for byte.
import { existsSync } from 'node:fs';

export const MEDIA_FILES = [
  // sound-theme-freedesktop: Ogg Vorbis audio
  {
    path: '/usr/share/sounds/freedesktop/stereo/alarm-clock-elapsed.oga',
    type: 'audio/ogg',
    pkg: 'sound-theme-freedesktop',
  },
  { path: '/usr/share/sounds/freedesktop/stereo/complete.oga', type: 'audio/ogg', pkg: 'sound-theme-freedesktop' },
  // libtasn1-doc: a PDF manual
  { path: '/usr/share/doc/libtasn1-doc/libtasn1.pdf', type: 'application/pdf', pkg: 'libtasn1-doc' },
  // tango-icon-theme: PNG and SVG icons
  { path: '/usr/share/icons/Tango/32x32/animations/process-working.png', type: 'image/png', pkg: 'tango-icon-theme' },
  { path: '/usr/share/icons/Tango/32x32/apps/accessories-calculator.png', type: 'image/png', pkg: 'tango-icon-theme' },
  {
    path: '/usr/share/icons/Tango/scalable/apps/accessories-calculator.svg',
    type: 'image/svg+xml',
    pkg: 'tango-icon-theme',
  },
];

/** Throws a clear message naming the missing packages when a media file is not installed. */
export function requireMediaFiles() {
  const missing = MEDIA_FILES.filter((file) => !existsSync(file.path));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((file) => file.pkg))].join(' ');
    throw new Error(
      `Test media missing: ${missing.map((file) => file.path).join(', ')}. ` +
        `Run tests/clients/setup.sh (installs: ${packages}) or scripts/test.sh.`,
    );
  }
}
