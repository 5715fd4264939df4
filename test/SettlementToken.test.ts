import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Signature } from "ethers";
import { deploySettlementToken } from "../scripts/deploySettlement";

describe("SettlementToken", function () {
  async function deployTokenFixture() {
    const [operator, alice, bob] = await ethers.getSigners();
    const token = await deploySettlementToken({ admin: operator!, decimals: 6 });
    return { token, operator: operator!, alice: alice!, bob: bob! };
  }

  async function signPermit(
    token: Awaited<ReturnType<typeof deployTokenFixture>>["token"],
    owner: Awaited<ReturnType<typeof deployTokenFixture>>["alice"],
    spender: string,
    value: bigint,
    deadline: bigint,
    signer = owner,
  ) {
    const { chainId } = await ethers.provider.getNetwork();
    const domain = {
      name: await token.name(),
      version: "1",
      chainId,
      verifyingContract: await token.getAddress(),
    };
    const types = {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    };
    const message = { owner: owner.address, spender, value, nonce: await token.nonces(owner.address), deadline };
    return Signature.from(await signer.signTypedData(domain, types, message));
  }

  describe("constructor", function () {
    for (const decimals of [0, 6, 18]) {
      it(`keeps ${decimals} decimals for life`, async function () {
        const [operator] = await ethers.getSigners();
        const token = await deploySettlementToken({ admin: operator!, decimals, name: "Cash", symbol: "CSH" });
        expect(await token.decimals()).to.equal(decimals);
        expect(await token.name()).to.equal("Cash");
        expect(await token.symbol()).to.equal("CSH");
        expect(await token.totalSupply()).to.equal(0n);
      });
    }

    it("makes the admin the operator", async function () {
      const { token, operator } = await loadFixture(deployTokenFixture);
      expect(await token.hasRole(await token.OPERATOR_ROLE(), operator.address)).to.equal(true);
      expect(await token.hasRole(await token.DEFAULT_ADMIN_ROLE(), operator.address)).to.equal(true);
    });
  });

  describe("mint", function () {
    it("creates base units for the receiver when the operator mints", async function () {
      const { token, operator, alice } = await loadFixture(deployTokenFixture);
      await expect(token.connect(operator).mint(alice.address, 1_000_000n))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 1_000_000n);
      expect(await token.balanceOf(alice.address)).to.equal(1_000_000n);
      expect(await token.totalSupply()).to.equal(1_000_000n);
    });

    it("reverts for anyone but an operator", async function () {
      const { token, alice } = await loadFixture(deployTokenFixture);
      await expect(token.connect(alice).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, await token.OPERATOR_ROLE());
    });

    it("lets the admin make another operator", async function () {
      const { token, operator, alice, bob } = await loadFixture(deployTokenFixture);
      const role = await token.OPERATOR_ROLE();
      await expect(token.connect(operator).grantRole(role, alice.address))
        .to.emit(token, "RoleGranted")
        .withArgs(role, alice.address, operator.address);
      await expect(token.connect(alice).mint(bob.address, 5n))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, bob.address, 5n);
    });
  });

  describe("permit", function () {
    it("sets an allowance from the owner's EIP-2612 signature", async function () {
      const { token, alice, bob } = await loadFixture(deployTokenFixture);
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
      const sig = await signPermit(token, alice, bob.address, 700n, deadline);
      await expect(token.connect(bob).permit(alice.address, bob.address, 700n, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(alice.address, bob.address, 700n);
      expect(await token.allowance(alice.address, bob.address)).to.equal(700n);
      expect(await token.nonces(alice.address)).to.equal(1n);
    });

    it("reverts when the deadline has passed", async function () {
      const { token, alice, bob } = await loadFixture(deployTokenFixture);
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp - 1);
      const sig = await signPermit(token, alice, bob.address, 700n, deadline);
      await expect(token.permit(alice.address, bob.address, 700n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });

    it("reverts when someone else signed", async function () {
      const { token, alice, bob } = await loadFixture(deployTokenFixture);
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
      const sig = await signPermit(token, alice, bob.address, 700n, deadline, bob);
      await expect(token.permit(alice.address, bob.address, 700n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(bob.address, alice.address);
    });
  });
});
