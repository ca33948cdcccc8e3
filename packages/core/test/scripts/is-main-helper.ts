import { isMain } from '@mp/core';

export const importedIsMain: boolean = isMain(import.meta);
