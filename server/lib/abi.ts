// Contract ABIs, read from Hardhat's compiled artifacts (never copied by hand). The implementation's
// artifact is preferred because it lists every event the deployed contract can emit (inherited
// OpenZeppelin ones included); the interface's artifact is the fallback while the implementation
// does not exist yet.
import fs from "node:fs";
import path from "node:path";
import { Interface, type InterfaceAbi } from "ethers";

export const projectRoot = path.resolve(__dirname, "..", "..");

export function artifactPath(contractName: string, root = projectRoot): string | undefined {
  const candidates = [
    path.join(root, "artifacts", "contracts", `${contractName}.sol`, `${contractName}.json`),
    path.join(root, "artifacts", "contracts", "interfaces", `I${contractName}.sol`, `I${contractName}.json`),
  ];
  return candidates.find((p) => fs.existsSync(p));
}

export function loadAbi(contractName: string, root = projectRoot): InterfaceAbi {
  const p = artifactPath(contractName, root);
  if (!p) throw new Error(`no compiled artifact for ${contractName}: run \`npx hardhat compile\``);
  return (JSON.parse(fs.readFileSync(p, "utf8")) as { abi: InterfaceAbi }).abi;
}

export function loadInterface(contractName: string, root = projectRoot): Interface {
  return new Interface(loadAbi(contractName, root));
}
