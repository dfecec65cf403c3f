package io.labscan.agent.checks.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AttachmentNamesTest {

  @Test
  void executableExtensionsAreRecognisedIgnoringCase() {
    assertThat(AttachmentNames.executableExtension("README.EXE")).contains("exe");
    assertThat(AttachmentNames.executableExtension("setup.scr")).contains("scr");
    assertThat(AttachmentNames.executableExtension("x.Pif")).contains("pif");
    assertThat(AttachmentNames.executableExtension("run.bat")).contains("bat");
    assertThat(AttachmentNames.executableExtension("game.com")).contains("com");
  }

  @Test
  void trailingDotsAndSpacesThatWindowsIgnoresDoNotHideTheExtension() {
    assertThat(AttachmentNames.executableExtension("readme.exe. . ")).contains("exe");
  }

  @Test
  void documentsAreNotExecutable() {
    assertThat(AttachmentNames.executableExtension("report.doc")).isEmpty();
    assertThat(AttachmentNames.executableExtension("exe")).isEmpty();
    assertThat(AttachmentNames.executableExtension(".exe")).isEmpty();
  }

  @Test
  void documentExtensionBeforeAnExecutableOneIsADecoy() {
    assertThat(AttachmentNames.decoyExtension("readme.txt.pif")).contains("txt");
    assertThat(AttachmentNames.decoyExtension("photo.JPG.exe")).contains("jpg");
  }

  @Test
  void paddingBetweenTheExtensionsStillMakesADecoy() {
    assertThat(AttachmentNames.decoyExtension("readme.txt                 .scr"))
        .contains("txt");
  }

  @Test
  void versionNumbersAreNotDecoys() {
    assertThat(AttachmentNames.decoyExtension("setup.v2.exe")).isEmpty();
    assertThat(AttachmentNames.decoyExtension("putty.exe")).isEmpty();
  }

  @Test
  void doubleDocumentExtensionIsNotADecoy() {
    assertThat(AttachmentNames.decoyExtension("notes.txt.doc")).isEmpty();
  }
}
