// Preloaded with --import: this program believes it runs on macOS, where @mp/native has no addon.
Object.defineProperty(process, 'platform', { value: 'darwin' });
