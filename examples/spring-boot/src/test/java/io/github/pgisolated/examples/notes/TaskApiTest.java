package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.github.pgisolated.junit5.PgIsolated;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** The REST API through MockMvc: requests run on the test's thread, so on the test's database. */
@SpringBootTest
@AutoConfigureMockMvc
@PgIsolated
class TaskApiTest {
  @Autowired MockMvc mvc;
  @Autowired TaskRepository tasks;

  @Test
  void listsTheSeededTasksOfAProject() throws Exception {
    mvc.perform(get("/projects/1/tasks"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.length()").value(2))
        .andExpect(jsonPath("$[0].title").value("plant tomatoes"))
        .andExpect(jsonPath("$[1].done").value(true));
  }

  @Test
  void addsATask() throws Exception {
    mvc.perform(post("/projects/2/tasks").contentType(MediaType.APPLICATION_JSON).content("{\"title\":\"descale the kettle\"}"))
        .andExpect(status().isCreated())
        .andExpect(jsonPath("$.id").value(4))
        .andExpect(jsonPath("$.done").value(false));
    assertThat(tasks.findByProjectIdOrderById(2L)).extracting(Task::getTitle)
        .containsExactly("fix the tap", "descale the kettle");
  }

  @Test
  void addsTheSameTaskAgainInItsOwnDatabase() throws Exception {
    mvc.perform(post("/projects/2/tasks").contentType(MediaType.APPLICATION_JSON).content("{\"title\":\"descale the kettle\"}"))
        .andExpect(status().isCreated())
        .andExpect(jsonPath("$.id").value(4));
  }

  @Test
  void completesATask() throws Exception {
    mvc.perform(post("/tasks/3/complete")).andExpect(status().isOk()).andExpect(jsonPath("$.done").value(true));
    assertThat(tasks.countByDoneFalse()).isEqualTo(1);
  }

  @Test
  void stillHasTwoOpenTasks() throws Exception {
    assertThat(tasks.countByDoneFalse()).isEqualTo(2);
    mvc.perform(get("/projects/2/tasks")).andExpect(jsonPath("$[0].done").value(false));
  }

  @Test
  void aMissingProjectIsNotFound() throws Exception {
    mvc.perform(post("/projects/99/tasks").contentType(MediaType.APPLICATION_JSON).content("{\"title\":\"x\"}"))
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.error").value("No project 99"));
    assertThat(tasks.count()).isEqualTo(3);
  }

  @Test
  void aMissingTaskIsNotFound() throws Exception {
    mvc.perform(post("/tasks/99/complete")).andExpect(status().isNotFound());
  }

  @Test
  void anEmptyProjectListsNothing() throws Exception {
    mvc.perform(get("/projects/42/tasks")).andExpect(status().isOk()).andExpect(jsonPath("$.length()").value(0));
  }
}
