// Remove a directory tree of any depth. rmSync builds each entry's full path, which fails with ENAMETOOLONG
// below PATH_MAX (a test makes a tree 25 names of 200 characters deep); rm -rf walks with relative paths.
// Here the deep part is brought up instead: every directory two levels below the root is renamed to the
// root's own level, so no path ever has more than three names below the root, until one rmSync can finish.
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Remove `root` and everything under it, however deep; a root that does not exist is no error. */
export function removeTree(root) {
  try {
    rmSync(root, { recursive: true, force: true });
    return;
  } catch (e) {
    if (e.code !== 'ENAMETOOLONG') throw e;
  }
  let hoisted = 0;
  for (let moved = true; moved;) {
    moved = false;
    for (const child of readdirSync(root, { withFileTypes: true })) {
      if (!child.isDirectory()) continue;
      for (const grandchild of readdirSync(join(root, child.name), { withFileTypes: true })) {
        if (!grandchild.isDirectory()) continue;
        renameSync(join(root, child.name, grandchild.name), join(root, `.hoisted-${hoisted++}`));
        moved = true;
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
}
